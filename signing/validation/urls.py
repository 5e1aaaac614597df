from django.urls import path

from signing.validation import views

app_name = "validation"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("van-ban/<int:document_id>/<int:number>/", views.version, name="version"),
]
