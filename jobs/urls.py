from django.urls import path

from jobs import views

urlpatterns = [
    path("", views.job_board, name="jobs"),
    path("new/", views.job_create, name="job_create"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/assign/", views.job_assign, name="job_assign"),
    path("<int:pk>/return/", views.job_return, name="job_return"),
    path("<int:pk>/receive/", views.job_request_receive, name="job_request_receive"),
    path("<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("items/<int:pk>/start/", views.job_item_start, name="job_item_start"),
]
