"""Chat endpoints under /api/ (tenant hosts)."""

from django.urls import path

from chat.api import messages, rooms, search

urlpatterns = [
    path("rooms/", rooms.RoomListView.as_view(), name="room-list"),
    path("rooms/<int:pk>/", rooms.RoomDetailView.as_view(), name="room-detail"),
    path("rooms/<int:pk>/members/", rooms.MemberListView.as_view(), name="room-members"),
    path("rooms/<int:pk>/members/<int:user_id>/", rooms.MemberView.as_view(), name="room-member"),
    path("rooms/<int:pk>/messages/", messages.RoomMessagesView.as_view(), name="room-messages"),
    path("rooms/<int:pk>/read/", rooms.ReadView.as_view(), name="room-read"),
    path("direct/", rooms.DirectView.as_view(), name="direct"),
    path("messages/<int:pk>/", messages.MessageView.as_view(), name="message"),
    path("messages/<int:pk>/edits/", messages.MessageEditsView.as_view(), name="message-edits"),
    path("messages/<int:pk>/reactions/", messages.ReactionsView.as_view(), name="message-reactions"),
    path("markdown/preview/", messages.PreviewView.as_view(), name="markdown-preview"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("directory/", search.DirectoryView.as_view(), name="directory"),
]
