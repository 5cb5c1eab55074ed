from django.urls import path

from . import share_views, upload_views, views

urlpatterns = [
    path("movies/", views.library, name="library"),
    path("movies/<int:pk>/", views.movie_detail, name="movie_detail"),
    path("movies/<int:pk>/recap/", views.start_recap, name="start_recap"),
    path("movies/<int:pk>/delete/", views.delete_movie, name="delete_movie"),
    path("jobs/<int:pk>/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/cancel/", views.cancel_job, name="cancel_job"),
    path("jobs/<int:pk>/retry/", views.retry_job, name="retry_job"),
    path("recaps/<int:pk>/", views.recap_detail, name="recap_detail"),
    path("recaps/<int:pk>/download/<str:kind>/", share_views.download, name="recap_download"),
    path("recaps/<int:pk>/share/", share_views.create_link, name="create_share_link"),
    path("shares/<int:pk>/revoke/", share_views.revoke_link, name="revoke_share_link"),
    path("s/<str:token>/", share_views.share_page, name="share_page"),
    path("s/<str:token>/embed/", share_views.share_embed, name="share_embed"),
    path("s/<str:token>/<str:kind>/", share_views.share_file, name="share_file"),
    path("uploads/", upload_views.tus_collection, name="tus_collection"),
    path("uploads/<uuid:pk>/", upload_views.tus_resource, name="tus_resource"),
    path("movies/upload/", upload_views.upload_page, name="upload"),
    path("movies/<int:pk>/subtitles/", upload_views.add_subtitles, name="add_subtitles"),
    path(
        "movies/<int:pk>/subtitles/<int:track_pk>/",
        views.edit_subtitles,
        name="edit_subtitles",
    ),
]
