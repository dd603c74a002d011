"""Account endpoints under /api/ (tenant hosts)."""

from django.urls import path

from accounts.api import auth, invitations, people
from accounts.api.views import MeView

urlpatterns = [
    path("auth/token/", auth.ObtainTokenView.as_view(), name="token"),
    path("auth/token/refresh/", auth.RefreshTokenView.as_view(), name="token-refresh"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("auth/password/reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path("me/", MeView.as_view(), name="me"),
    path("people/", people.PeopleListView.as_view(), name="people"),
    path("people/<int:pk>/", people.PersonView.as_view(), name="person"),
    path("invitations/", invitations.InvitationListView.as_view(), name="invitations"),
    path("invitations/accept/", invitations.AcceptInvitationView.as_view(), name="invitation-accept"),
    path("invitations/<int:pk>/", invitations.InvitationView.as_view(), name="invitation"),
    path("invitations/<int:pk>/resend/", invitations.ResendInvitationView.as_view(), name="invitation-resend"),
]
