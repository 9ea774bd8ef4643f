from django.urls import path

from portal import views

urlpatterns = [
    path("", views.dashboard, name="portal"),
    path("instruments.xlsx", views.export, name="portal_export"),
    path("certificates/", views.certificates, name="portal_certificates"),
    path("request/", views.request_calibration, name="portal_request"),
    path("instruments/<int:pk>/recall/", views.recall, name="portal_recall"),
]
