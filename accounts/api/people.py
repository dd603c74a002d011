from rest_framework.views import APIView


class PeopleListView(APIView):
    pass


class PersonView(APIView):
    pass
