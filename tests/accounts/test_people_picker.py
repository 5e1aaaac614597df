"""People pickers: the search behind them and the select they still are without script."""

from __future__ import annotations

import unicodedata

import pytest
from django import forms
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, User
from accounts.text import fold
from accounts.widgets import PeoplePicker, PeoplePickerMultiple, picker_allowed, picker_token
from documents.search import fold as documents_fold
from tests.factories import make_body, make_user

URL = reverse("accounts:people_search")


@pytest.fixture
def people(db):
    ubnd = make_body(code="ubnd", name="UBND tỉnh", symbol="UBND")
    stc = make_body(code="stc", name="Sở Tài chính", symbol="STC")
    return {
        "an_ubnd": make_user(
            username="an1", full_name="Nguyễn Văn An", body=ubnd, position="Phó Chủ tịch"
        ),
        "an_stc": make_user(username="an2", full_name="Nguyễn Văn An", body=stc, position=""),
        "binh": make_user(username="binh", full_name="Trần Thị Bình", body=stc, position="Kế toán"),
        "clerk": make_user(username="vanthu", full_name="Lê Thị Thư", body=ubnd, role="clerk"),
        "outsider": make_user(
            username="ngoai", full_name="Nguyễn Văn Ngoài", position="Phó Chủ tịch"
        ),
    }


def _token(*users: User) -> str:
    return picker_token(u.pk for u in users)


def _search(client, token: str, q: str) -> dict:
    response = client.get(URL, {"q": q, "token": token})
    assert response.status_code == 200
    return response.json()


def test_fold_is_the_documents_search_fold():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ngọc Ánh")
    for text in [
        "Nguyễn Văn An",
        "ĐẶNG Thị  Hoà",
        "Sở Tài chính",
        "Phó Chủ tịch",
        nfd,
        "Ωmega ﬁ",
        "",
    ]:
        assert fold(text) == documents_fold(text)


def test_token_names_its_people_and_refuses_tampering(people):
    allowed = [people["an_ubnd"], people["an_stc"], people["binh"]]
    token = _token(*allowed)
    assert picker_allowed(token) == {u.pk for u in allowed}
    assert picker_allowed(token[:-2] + "xx") is None
    assert picker_allowed(signing.dumps([[1, 10_000]], salt="another")) is None
    assert picker_allowed("") is None


def test_login_required(client, people):
    response = client.get(URL, {"q": "an", "token": _token(people["an_ubnd"])})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_bad_token_is_refused_in_vietnamese(client, people):
    client.force_login(people["clerk"])
    response = client.get(URL, {"q": "an", "token": "forged"})
    assert response.status_code == 400
    assert "hết hạn" in response.json()["error"]


def test_name_without_accents_finds_both_namesakes_told_apart(client, people):
    client.force_login(people["clerk"])
    token = _token(people["an_ubnd"], people["an_stc"], people["binh"])
    found = _search(client, token, "nguyen van an")["results"]
    assert [r["id"] for r in found] == [people["an_ubnd"].pk, people["an_stc"].pk]
    assert {r["label"] for r in found} == {
        "Nguyễn Văn An — Phó Chủ tịch, UBND tỉnh",
        "Nguyễn Văn An — Thành viên, Sở Tài chính",
    }


def test_position_and_unit_match_without_accents(client, people):
    client.force_login(people["clerk"])
    token = _token(people["an_ubnd"], people["an_stc"], people["binh"])
    assert [r["id"] for r in _search(client, token, "pho chu tich")["results"]] == [
        people["an_ubnd"].pk
    ]
    by_unit = {r["id"] for r in _search(client, token, "so tai chinh")["results"]}
    assert by_unit == {people["an_stc"].pk, people["binh"].pk}
    assert _search(client, token, "khong co ai")["results"] == []


def test_a_person_outside_the_token_is_never_returned(client, people):
    client.force_login(people["clerk"])
    token = _token(people["an_ubnd"], people["binh"])
    for q in ["nguyen van", "ngoai", "pho chu tich", ""]:
        ids = {r["id"] for r in _search(client, token, q)["results"]}
        assert people["outsider"].pk not in ids
        assert people["an_stc"].pk not in ids


def test_inactive_people_are_not_offered(client, people):
    client.force_login(people["clerk"])
    User.objects.filter(pk=people["binh"].pk).update(is_active=False)
    assert _search(client, _token(people["binh"]), "binh")["results"] == []


def test_at_most_twenty_and_a_constant_number_of_queries(client, people):
    client.force_login(people["clerk"])
    body = make_body(code="dong", name="Phòng Đông người", symbol="PDN")
    crowd = User.objects.bulk_create(
        User(username=f"p{i}", full_name=f"Phạm Văn Người {i:03}") for i in range(60)
    )
    Membership.objects.bulk_create(Membership(user=u, body=body) for u in crowd)
    with CaptureQueriesContext(connection) as few:
        small = _search(client, _token(*crowd[:5]), "pham")
    with CaptureQueriesContext(connection) as many:
        big = _search(client, _token(*crowd), "pham van nguoi")
    assert len(small["results"]) == 5 and small["more"] is False
    assert len(big["results"]) == 20 and big["more"] is True
    assert len(many) == len(few) <= 5  # session, user, then the people and their memberships


class _Pick(forms.Form):
    one = forms.ModelChoiceField(queryset=User.objects.none(), widget=PeoplePicker)
    several = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=PeoplePickerMultiple
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["one"].queryset = people
        self.fields["several"].queryset = people


def test_widget_is_a_select_with_the_chosen_people_and_their_units(people):
    allowed = User.objects.filter(pk__in=[people["an_ubnd"].pk, people["binh"].pk])
    form = _Pick(
        initial={"one": people["binh"].pk, "several": [people["an_ubnd"].pk, people["binh"].pk]},
        people=allowed,
    )
    one, several = str(form["one"]), str(form["several"])
    assert "<select" in one and 'name="one"' in one and 'id="id_one"' in one and "required" in one
    assert (
        f'<option value="{people["binh"].pk}" selected>Trần Thị Bình — Kế toán, Sở Tài chính' in one
    )
    assert "multiple" in several and several.count(" selected>") == 2
    assert "Nguyễn Văn An — Phó Chủ tịch, UBND tỉnh" in several
    assert "Ngoài" not in one + several
    assert "data-people-picker" in one and "js/people-picker.js" in one
    token = one.split('data-token="')[1].split('"')[0]
    assert picker_allowed(token) == {people["an_ubnd"].pk, people["binh"].pk}


def test_the_forms_queryset_still_decides(people):
    allowed = User.objects.filter(pk=people["binh"].pk)
    refused = _Pick({"one": people["outsider"].pk}, people=allowed)
    assert not refused.is_valid()
    assert "one" in refused.errors
    accepted = _Pick({"one": people["binh"].pk, "several": [people["binh"].pk]}, people=allowed)
    assert accepted.is_valid(), accepted.errors
    assert list(accepted.cleaned_data["several"]) == [people["binh"]]


def test_widget_costs_two_queries_whatever_the_number_of_people(people):
    with CaptureQueriesContext(connection) as queries:
        str(_Pick(people=User.objects.all())["several"])
    assert len(queries) == 2


def test_a_long_list_never_returns_someone_between_its_people(client, people):
    """More than a couple of hundred people are looked up by the span of their keys: whoever
    falls inside the span but not in the list stays out."""
    client.force_login(people["clerk"])
    crowd = User.objects.bulk_create(
        User(username=f"q{i}", full_name=f"Phạm Văn Người {i:03}") for i in range(260)
    )
    left_out = crowd[130]
    token = _token(*(u for u in crowd if u.pk != left_out.pk))
    for q in ["pham van nguoi 130", "130", ""]:
        page = _search(client, token, q)
        assert left_out.pk not in {r["id"] for r in page["results"]}
    assert _search(client, token, "nguoi 129")["results"][0]["id"] == crowd[129].pk
