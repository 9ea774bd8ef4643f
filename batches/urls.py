from django.urls import path

from batches import views

urlpatterns = [
    path("", views.batch_list, name="batches"),
    path("new/", views.batch_create, name="batch_create"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/progress/", views.batch_progress, name="batch_progress"),
]
