from django.urls import path

from certificates import views

urlpatterns = [
    path("", views.certificate_list, name="certificates"),
    path("<int:pk>/", views.certificate_detail, name="certificate"),
    path("<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("<int:pk>/dcc/", views.certificate_dcc, name="certificate_dcc"),
    path("<int:pk>/replace/", views.certificate_replace_view, name="certificate_replace"),
    path("<int:pk>/withdraw/", views.certificate_withdraw_view, name="certificate_withdraw"),
    path("issue/<int:calibration_pk>/", views.certificate_issue_view, name="certificate_issue"),
]
