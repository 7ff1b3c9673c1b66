from django.urls import path

from expo.sponsors import views

urlpatterns = [
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation-edit"),
    path(
        "organisations/<slug:slug>/invite/", views.organisation_invite, name="organisation-invite"
    ),
    path(
        "organisations/<slug:slug>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
