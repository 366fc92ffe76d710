from django.urls import path

from dreams import views

app_name = "dreams"

urlpatterns = [
    path("", views.gallery, name="gallery"),
    path("dreams/<int:pk>/", views.dream_detail, name="detail"),
    path("dreams/<int:pk>/cover.svg", views.dream_cover, name="cover"),
]
