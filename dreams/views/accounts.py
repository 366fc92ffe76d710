"""Accounts on Django's auth: sign up, a throttled log in, and deleting an account."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dreams import accounts
from dreams.importing import SEED_OWNER

# The built-in account owns the seed dreams; nobody may sign up as it.
RESERVED_USERNAMES = {SEED_OWNER, "admin", "root", "somnia-system"}


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed attempts. Wait 15 minutes, then try again.",
    }

    def clean(self):
        username = self.cleaned_data.get("username", "")
        address = _address(self.request)
        if accounts.login_blocked(username=username, address=address):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            data = super().clean()
        except forms.ValidationError:
            accounts.record_failed_login(username=username, address=address)
            raise
        accounts.clear_failed_logins(username=username, address=address)
        return data


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "throttled"):
            response.status_code = 429
        return response


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ["username"]
        help_texts = {"username": "Letters, digits and @ . + - _ only. Others never see it."}

    def clean_username(self):
        username = super().clean_username()
        if username.casefold() in RESERVED_USERNAMES:
            raise forms.ValidationError("That name is taken; choose another.")
        return username


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dreams:new")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, "Welcome to Somnia. Your dreams are private unless you share them."
        )
        return redirect("dreams:new")
    return render(request, "registration/signup.html", {"form": form})


class ConfirmDeleteForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput({"autocomplete": "current-password"}),
        help_text="Your password, to be sure it is you.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = ConfirmDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.delete()  # cascades to every dream, draft, tag and motif of theirs
        messages.success(request, "Your account and all its dreams are deleted.")
        return redirect("dreams:gallery")
    count = request.user.dreams.count()
    return render(request, "registration/delete_account.html", {"form": form, "count": count})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account.html")
