from django.urls import path

from imaging import views

app_name = "imaging"

urlpatterns = [
    path("<str:token>.jpg", views.photo_file, name="photo_file"),
    path("<str:token>.thumb.jpg", views.photo_thumbnail, name="photo_thumbnail"),
]
