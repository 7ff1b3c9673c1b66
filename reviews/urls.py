"""URLs of the review workspace, under /review/."""

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.workspace_index, name="index"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/export.csv", views.dashboard_export, name="export"),
    path("<slug:slug>/p/<int:pk>/", views.proposal_review, name="proposal"),
    path("<slug:slug>/p/<int:pk>/autosave/", views.review_autosave, name="autosave"),
    path("<slug:slug>/p/<int:pk>/attachment/", views.proposal_attachment, name="attachment"),
    path("<slug:slug>/p/<int:pk>/conflict/", views.conflict_declare, name="declare-conflict"),
    path("<slug:slug>/p/<int:pk>/decide/", views.proposal_decide, name="decide"),
    path("<slug:slug>/decide/", views.bulk_decide, name="bulk-decide"),
    path("<slug:slug>/calibration/", views.calibration_page, name="calibration"),
    path("<slug:slug>/conflicts/", views.conflicts_admin, name="conflicts"),
    path("<slug:slug>/settings/", views.settings_admin, name="settings"),
    path("<slug:slug>/notifications/", views.notifications, name="notifications"),
    path("<slug:slug>/notifications/<str:outcome>/", views.template_edit, name="template-edit"),
    path("<slug:slug>/audit/", views.audit_log, name="audit"),
    path("<slug:slug>/audit.csv", views.audit_export, name="audit-export"),
]
