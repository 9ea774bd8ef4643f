from django.core.paginator import Paginator

PER_PAGE = 50


def page_of(request, queryset, per_page: int = PER_PAGE):
    """The page of `queryset` asked for by ?page=N; a page out of range or not a number gives
    the nearest valid page, never an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
