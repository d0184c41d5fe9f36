from django.urls import path

from profiles.dashboard import views

urlpatterns = [
    path("studio/dashboard", views.dashboard_page, name="studio-dashboard"),
    path("studio/dashboard.csv", views.dashboard_csv, name="studio-dashboard-csv"),
]
