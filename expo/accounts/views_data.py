"""Pages for a person's own data: download it, or delete the account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from expo.accounts.models import User
from expo.accounts.services import user_data_export, user_erase


class EraseForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(label="I understand that this cannot be undone")

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password.")
        return str(password)


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = EraseForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user_erase(user=user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            logout(request)
            messages.success(request, "Your account and personal data are deleted.")
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/my_data.html", {"form": form}, status=status)


@login_required
def my_data_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    response = HttpResponse(
        json.dumps(user_data_export(user=user), indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="expo-my-data.json"'
    return response
