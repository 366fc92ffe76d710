"""Accounts on Django's auth: sign up, log in, change the password, delete the account; every
password check throttled (dreams/accounts.py); their forms are in dreams/forms.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView, PasswordChangeView
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from dreams import entries, zones
from dreams.forms import (
    NAME_TAKEN,
    ConfirmDeleteForm,
    SignupForm,
    ThrottledAuthenticationForm,
    ThrottledPasswordChangeForm,
)
from dreams.views.zones import time_zone_context


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "throttled"):
            response.status_code = 429
        return response


class ThrottledPasswordChangeView(PasswordChangeView):
    form_class = ThrottledPasswordChangeForm
    success_url = "/accounts/password/done/"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("old_password", "throttled"):
            response.status_code = 429
        return response


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dreams:new")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:  # the same name, signed up a moment ago by someone else
            form.add_error("username", forms.ValidationError(NAME_TAKEN, code="taken"))
            return render(request, "registration/signup.html", {"form": form})
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[zones.SESSION_KEY] = zones.set_zone(
            user=user, reported=form.cleaned_data["time_zone"]
        )
        messages.success(
            request, "Welcome to Somnia. Your dreams are private unless you share them."
        )
        return redirect("dreams:new")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = ConfirmDeleteForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        entries.delete_account(user)  # every dream, draft, tag, motif and picture of theirs
        messages.success(request, "Your account and all its dreams are deleted.")
        return redirect("dreams:gallery")
    count = request.user.dreams.count()
    status = 429 if form.has_error("password", "throttled") else 200
    return render(
        request, "registration/delete_account.html", {"form": form, "count": count}, status=status
    )


@login_required
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account.html", time_zone_context(request.user))


class SayingLogoutView(LogoutView):
    """Log out with a word: GET asks first (and this browser's unsaved words are named there,
    by writing.js), POST logs out and says so on the next page."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("dreams:gallery")
        response = render(request, "registration/logout.html")
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        was_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_in:  # the message outlives the session in its cookie
            messages.info(request, "You are logged out. Your dreams wait for you here.")
        return response
