from django.urls import path

from expo.proposals import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal-submit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("proposals/<int:pk>/attachment/", views.proposal_attachment, name="proposal-attachment"),
    path("<slug:slug>/proposals/new/", views.proposal_create, name="proposal-create"),
]
