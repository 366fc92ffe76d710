from django.urls import path

from dreams import views

app_name = "dreams"

urlpatterns = [
    path("", views.gallery, name="gallery"),
    path("search/", views.search_page, name="search"),
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
    path("dreams/<int:pk>/thread/", views.thread_detail, name="thread"),
    path("dreams/<int:pk>/recurs/", views.thread_link, name="thread_link"),
    path("motifs/", views.motif_list, name="motifs"),
    path("motifs/suggest/", views.motif_suggestions, name="motif_suggestions"),
    path("motifs/new/", views.motif_create, name="motif_create"),
    path("motifs/<slug:slug>/", views.motif_detail, name="motif"),
    path("motifs/<slug:slug>/words/", views.motif_add_word, name="motif_add_word"),
    path("motifs/<slug:slug>/allow/", views.motif_allow, name="motif_allow"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/suggest/", views.tag_suggestions, name="tag_suggestions"),
    path("tags/<int:pk>/rename/", views.tag_rename, name="tag_rename"),
    path("tags/<int:pk>/delete/", views.tag_delete, name="tag_delete"),
    path("trash/", views.trash, name="trash"),
    path("insights/", views.insights_page, name="insights"),
    path("export/", views.export_page, name="export"),
    path("export/somnia.json", views.export_json, name="export_json"),
    path("export/somnia-markdown.zip", views.export_markdown, name="export_markdown"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
