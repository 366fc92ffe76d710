from django.contrib import admin

from dreams.models import Dream, DreamMotif, DreamTag, Motif, Tag


class DreamMotifInline(admin.TabularInline):
    model = DreamMotif
    extra = 0
    autocomplete_fields = ["motif"]
    fields = ["motif", "status", "count", "evidence"]


class DreamTagInline(admin.TabularInline):
    model = DreamTag
    extra = 0
    autocomplete_fields = ["tag"]


@admin.register(Dream)
class DreamAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "dreamt_on", "visibility", "lucid", "nightmare", "created_at"]
    list_filter = ["visibility", "lucid", "nightmare", "recurring", "mood", "source"]
    search_fields = ["title", "body", "owner__username"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "version"]
    inlines = [DreamMotifInline, DreamTagInline]


@admin.register(Motif)
class MotifAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category", "owner"]
    list_filter = ["category", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    raw_id_fields = ["owner"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "normalised", "owner"]
    search_fields = ["name", "normalised"]
    raw_id_fields = ["owner"]


@admin.register(DreamMotif)
class DreamMotifAdmin(admin.ModelAdmin):
    list_display = ["dream", "motif", "status", "count"]
    list_filter = ["status", "motif__category"]
    raw_id_fields = ["dream", "motif"]


@admin.register(DreamTag)
class DreamTagAdmin(admin.ModelAdmin):
    list_display = ["dream", "tag"]
    raw_id_fields = ["dream", "tag"]
