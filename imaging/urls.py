from django.urls import path

from imaging import views

app_name = "imaging"

urlpatterns = [
    path("<slug:token>.jpg", views.photo_file, name="photo_file"),
    path("<slug:token>.thumb.jpg", views.photo_thumbnail, name="photo_thumbnail"),
]
