from django.urls import path

from dreams import views

app_name = "dreams"

urlpatterns = [
    path("", views.gallery, name="gallery"),
    path("dreams/new/", views.new_dream, name="new"),
    path("dreams/new/autosave/", views.autosave, name="autosave_new"),
    path("dreams/preview/", views.preview, name="preview"),
    path("dreams/<int:pk>/", views.dream_detail, name="detail"),
    path("dreams/<int:pk>/cover.svg", views.dream_cover, name="cover"),
    path("dreams/<int:pk>/edit/", views.edit_dream, name="edit"),
    path("dreams/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("dreams/<int:pk>/resolve/", views.resolve_conflict, name="resolve"),
    path("dreams/<int:pk>/delete/", views.delete_dream, name="delete"),
    path("dreams/<int:pk>/restore/", views.restore_dream, name="restore"),
    path("drafts/<uuid:key>/discard/", views.discard_draft, name="discard_draft"),
    path("tags/suggest/", views.tag_suggestions, name="tag_suggestions"),
    path("trash/", views.trash, name="trash"),
]
