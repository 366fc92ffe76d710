"""Forms: the gallery's filters (read from GET), the writing form, and the account forms
(sign up, log in, change the password, delete the account), every password check throttled."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.http import HttpRequest

from dreams import accounts
from dreams.importing import SEED_OWNER
from dreams.models import NEWEST_FIRST, Dream, Motif, Tag, normalise_tag
from dreams.query import without_control
from dreams.titles import derive_title

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class GalleryFilters(forms.Form):
    """The gallery's view as a GET form: a bad value is dropped with a note, never an error."""

    class Scope:
        GALLERY = "gallery"
        MINE = "mine"

    SORTS = {
        "newest": NEWEST_FIRST,
        "oldest": [F("dreamt_on").asc(nulls_last=True), "created_at", "id"],
        "vivid": [F("vividness").desc(nulls_last=True), *NEWEST_FIRST],
    }

    NOTE_LABELS = {
        "scope": "view", "motif": "motif", "tag": "tag", "lucid": "lucid filter",
        "nightmare": "nightmare filter", "recurring": "recurring filter", "start": "start date",
        "end": "end date", "sort": "order",
    }  # fmt: skip
    CHOICE_ERROR = {"invalid_choice": "Somnia does not know that value, so it is left out."}
    DATE_ERROR = {"invalid": "That is not a date Somnia can read (use YYYY-MM-DD)."}

    scope = forms.ChoiceField(
        choices=[(Scope.GALLERY, "Gallery"), (Scope.MINE, "My journal")],
        required=False,
        widget=forms.RadioSelect,
    )
    motif = forms.CharField(required=False, max_length=80)
    tag = forms.CharField(required=False, max_length=64)
    lucid = forms.ChoiceField(choices=YES_NO, required=False, error_messages=CHOICE_ERROR)
    nightmare = forms.ChoiceField(choices=YES_NO, required=False, error_messages=CHOICE_ERROR)
    recurring = forms.ChoiceField(choices=YES_NO, required=False, error_messages=CHOICE_ERROR)
    start = forms.DateField(required=False, label="From", error_messages=DATE_ERROR)
    end = forms.DateField(required=False, label="To", error_messages=DATE_ERROR)
    sort = forms.ChoiceField(
        choices=[("newest", "Newest"), ("oldest", "Oldest"), ("vivid", "Most vivid")],
        required=False,
        error_messages=CHOICE_ERROR,
    )

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.notes: list[str] = []
        self.motif_obj: Motif | None = None
        self.tag_key = ""

    def clean_motif(self) -> str:
        slug = self.cleaned_data["motif"].strip().lower()
        if slug:
            # A user's own motif first, then the built-in one of that slug.
            self.motif_obj = (
                Motif.objects.available_to(self.user).filter(slug=slug).order_by("owner_id").first()
            )
            if self.motif_obj is None:
                raise forms.ValidationError("there is no motif by that name.")
        return slug

    def clean_tag(self) -> str:
        self.tag_key = normalise_tag(self.cleaned_data["tag"])
        return self.tag_key

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return data

    def value(self, name: str) -> str:
        """The cleaned value, or the default when it was missing or bad."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        if value in (None, ""):
            return {"scope": self.Scope.GALLERY, "sort": "newest"}.get(name, "")
        return value

    def apply(self, dreams):
        """The dreams this view shows, in its order, with notes for what was ignored."""
        self.is_valid()
        for name, errors in self.errors.items():
            label = self.NOTE_LABELS.get(name, "filter")
            raw = without_control(self.data.get(name, ""))[:80]
            reason = " ".join(errors)
            # After a colon the sentence goes on: "…: that is not a date."
            self.notes.append(f"Ignored the {label} “{raw}”: {reason[:1].lower()}{reason[1:]}")
        data = {name: self.value(name) for name in self.fields}
        if data["scope"] == self.Scope.MINE:
            if self.user.is_authenticated:
                dreams = dreams.filter(owner=self.user)
            else:
                self.notes.append("Log in to see your own journal; showing the gallery.")
                data["scope"] = self.Scope.GALLERY
        if data["scope"] == self.Scope.GALLERY:
            dreams = dreams.filter(visibility=Dream.Visibility.SHARED)
        if self.motif_obj is not None:
            dreams = dreams.with_motif(self.motif_obj)
        if self.tag_key:
            tagged = dreams.tagged(self.tag_key, viewer=self.user)
            if tagged.exists():
                dreams = tagged
            else:
                self.notes.append(f"Ignored tag “{self.tag_key}”: no dream here has that tag.")
                self.tag_key = ""
        for flag in ("lucid", "nightmare", "recurring"):
            if data[flag]:
                dreams = dreams.filter(**{flag: data[flag] == "yes"})
        if data["start"]:
            dreams = dreams.filter(dreamt_on__gte=data["start"])
        if data["end"]:
            dreams = dreams.filter(dreamt_on__lte=data["end"])
        self.current_scope = data["scope"]
        self.current_sort = data["sort"]
        return dreams.order_by(*self.SORTS[data["sort"]])

    @property
    def has_more_filters(self) -> bool:
        """Whether a flag or date is set, so the folded part of the form opens."""
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("lucid", "nightmare", "recurring", "start", "end"))

    def tag_choices(self):
        """The viewer's tags, for the filter's menu (lazy: a fragment may not need it)."""
        return Tag.objects.owned_by(self.user).order_by("normalised")


class TagsField(forms.CharField):
    """Tags typed as one comma-separated line: "work, flying, non - lucid"."""

    MAX_TAG = 64
    MAX_TAGS = 30

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        names: dict[str, str] = {}
        for part in text.split(","):
            name = " ".join(part.split())
            if name and normalise_tag(name):
                names.setdefault(normalise_tag(name), name)
        return list(names.values())

    def validate(self, value) -> None:
        for name in value:
            if len(name) > self.MAX_TAG:
                raise forms.ValidationError(
                    f"A tag can be at most {self.MAX_TAG} characters; “{name[:24]}…” has "
                    f"{len(name)}."
                )
        if len(value) > self.MAX_TAGS:
            raise forms.ValidationError(f"At most {self.MAX_TAGS} tags on one dream.")


class DreamForm(forms.ModelForm):
    """The entry form. Anything it refuses stays in the form, with the reason beside the field."""

    MAX_BODY = 100_000

    title = forms.CharField(
        required=False,
        max_length=200,
        help_text="Optional: left empty, a title is drawn from the dream itself.",
        widget=forms.TextInput({"autocomplete": "off", "maxlength": None}),
    )
    undated = forms.BooleanField(required=False, label="I don't know when")
    vividness = forms.TypedChoiceField(
        choices=[("", "Not rated"), *((str(i), str(i)) for i in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="1 faint, 5 as real as waking.",
        error_messages={
            "invalid_choice": "Vividness goes from 1 (faint) to 5 (as real as waking)."
        },
    )
    tags = TagsField(
        required=False,
        help_text="Separate tags with commas.",
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The form's key, which makes saving it idempotent (see entries.save_form).
    draft_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Dream
        fields = [
            "title", "body", "dreamt_on", "lucid", "nightmare", "recurring", "vividness", "mood",
            "visibility", "show_tags",
        ]  # fmt: skip
        labels = {
            "body": "The dream", "dreamt_on": "Dreamt on", "mood": "Mood on waking",
            "show_tags": "Show my tags",
        }  # fmt: skip
        widgets = {
            "body": forms.Textarea(
                {"rows": 12, "spellcheck": "true", "autocapitalize": "sentences"}
            ),
            "dreamt_on": forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
            "visibility": forms.RadioSelect,
        }
        help_texts = {"body": "Markdown works: *italics*, **bold**, lists."}

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["body"].required = False  # our own message below, not Django's
        self.fields["mood"].choices = [("", "—"), *Dream.Mood.choices]
        # No maxlength in the page: a browser would cut a long paste silently; we say why instead.
        self.fields["title"].widget.attrs.pop("maxlength", None)
        if self.instance.pk and self.instance.title_derived:
            # Shown as the placeholder it is, so editing the narrative draws it anew.
            if self.initial.get("title") == self.instance.title:
                self.initial["title"] = ""
            self.fields["title"].widget.attrs["placeholder"] = self.instance.title
        if self.instance.pk:
            self.fields["undated"].initial = self.instance.dreamt_on is None
            self.fields["tags"].initial = ", ".join(self.instance.tag_names)
            self.fields["version"].initial = self.instance.version

    def full_clean(self) -> None:
        super().full_clean()
        # Point assistive technology at each message from its field.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if not body.strip():
            raise forms.ValidationError("Write a few words of the dream before saving it.")
        if len(body) > self.MAX_BODY:
            raise forms.ValidationError(
                f"That is {len(body):,} characters; one dream can hold {self.MAX_BODY:,}."
            )
        return body

    def clean_dreamt_on(self):
        dreamt_on = self.cleaned_data.get("dreamt_on")
        # A day's grace: it is already tomorrow somewhere.
        if dreamt_on and dreamt_on > self.today + timedelta(days=1):
            raise forms.ValidationError("That date is in the future; a dream has to be dreamt.")
        return dreamt_on

    def clean(self):
        data = super().clean()
        if data.get("undated"):
            data["dreamt_on"] = None
        # A title left empty stays derived: drawn from the narrative on every save.
        data["title_derived"] = not (data.get("title") or "").strip()
        if data["title_derived"] and data.get("body"):
            data["title"] = derive_title(data["body"])
        return data

    def changes(self) -> dict:
        changes = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        return changes | {"title_derived": self.cleaned_data.get("title_derived", False)}


# Accounts

# The built-in account owns the seed dreams; nobody may sign up as it.
RESERVED_USERNAMES = {SEED_OWNER, "admin", "root", "somnia-system"}
NAME_TAKEN = "That name is taken; choose another."


def _throttled(request: HttpRequest) -> forms.ValidationError:
    return forms.ValidationError(accounts.locked_message(request), code="throttled")


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if accounts.locked_out(self.request):
                raise _throttled(self.request) from None
            raise


class ThrottledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        if not accounts.check_password(self.request, user=self.user, password=password):
            if accounts.locked_out(self.request):
                raise _throttled(self.request)
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return password


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ["username"]
        help_texts = {"username": "Letters, digits and @ . + - _ only. Others never see it."}
        error_messages = {"username": {"unique": NAME_TAKEN}}

    # Filled in by static/js/clock.js from the browser ("Asia/Tokyo"); empty without it.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_username(self):
        # Django's own check adds its error and returns None for a name taken in another case.
        username = self.cleaned_data.get("username")
        if username and accounts.name_taken(username=username, reserved=RESERVED_USERNAMES):
            self.name_was_taken = True
            raise forms.ValidationError(NAME_TAKEN, code="taken")
        return username

    def _post_clean(self):
        super()._post_clean()
        # A taken name costs the one password hash that creating the account would have:
        # the answer's time does not tell which names exist.
        if getattr(self, "name_was_taken", False) and set(self.errors) == {"username"}:
            make_password(self.cleaned_data.get("password1"))


class ConfirmDeleteForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput({"autocomplete": "current-password"}),
        help_text="Your password, to be sure it is you.",
    )

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not accounts.check_password(self.request, user=self.request.user, password=password):
            if accounts.locked_out(self.request):
                raise _throttled(self.request)
            raise forms.ValidationError("That is not your password.", code="wrong")
        return password
