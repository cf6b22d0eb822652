app_name = "specialgroups"
urlpatterns: list = []
