from rest_framework.views import APIView


class InvitationListView(APIView):
    pass


class AcceptInvitationView(APIView):
    pass


class InvitationView(APIView):
    pass


class ResendInvitationView(APIView):
    pass
