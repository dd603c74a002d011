"""Branded account pages of tenant hosts."""

from django.urls import path

from accounts.views import auth, invitations, notifications, password, people, profile, signup, workspace

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("signup/", signup.request_signup, name="signup"),
    path("signup/sent/", signup.signup_sent, name="signup-sent"),
    path("invite/<str:token>/", invitations.accept, name="accept-invitation"),
    path("password/reset/", password.request_reset, name="password-reset"),
    path("password/reset/sent/", password.reset_sent, name="password-reset-sent"),
    path("password/reset/<uidb64>/<token>/", password.ResetConfirmView.as_view(), name="password-reset-confirm"),
    path("settings/profile/", profile.edit_profile, name="profile"),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path("settings/password/", password.change_password, name="password-change"),
    path("settings/password/sign-out-elsewhere/", password.sign_out_elsewhere, name="sign-out-elsewhere"),
    path("settings/workspace/", workspace.edit_workspace, name="workspace-settings"),
    path("people/", people.people_list, name="people"),
    path("people/invite/", people.invite, name="invite"),
    path("people/<int:user_id>/role/", people.change_role, name="change-role"),
    path("people/<int:user_id>/deactivate/", people.deactivate, name="deactivate"),
    path("people/<int:user_id>/reactivate/", people.reactivate, name="reactivate"),
    path("people/<int:user_id>/avatar/", profile.avatar, name="avatar"),
    path("people/invitations/<int:invitation_id>/resend/", people.resend_invitation, name="resend-invitation"),
    path("people/invitations/<int:invitation_id>/revoke/", people.revoke_invitation, name="revoke-invitation"),
]
