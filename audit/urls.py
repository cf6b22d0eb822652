from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [path("beheer/logboek/", views.log, name="log")]
