"""The browsable API page, with DRF's raw JSON form only: the API parses JSON and nothing else."""
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_rendered_html_form(self, data, view, method, request):
        """No HTML-form tab: it would post form-encoded data, which every view refuses (415)."""
        return None
