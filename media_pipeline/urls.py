from django.urls import path

from . import views

urlpatterns = [
    path("movies/", views.library, name="library"),
    path("movies/<int:pk>/", views.movie_detail, name="movie_detail"),
    path("movies/<int:pk>/recap/", views.start_recap, name="start_recap"),
    path("jobs/<int:pk>/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/cancel/", views.cancel_job, name="cancel_job"),
    path("jobs/<int:pk>/retry/", views.retry_job, name="retry_job"),
    path("recaps/<int:pk>/", views.recap_detail, name="recap_detail"),
]
