from django.urls import path

from signing import validation_views

app_name = "validation"

urlpatterns = [
    path("", validation_views.upload, name="upload"),
    path("van-ban/<int:document_id>/<int:number>/", validation_views.version, name="version"),
]
