from django.urls import path

from demo import views

app_name = "demo"
urlpatterns = [
    path("_dev/mail/", views.mail_list, name="mail_list"),
    path("_dev/mail/<str:name>/", views.mail_detail, name="mail_detail"),
]
