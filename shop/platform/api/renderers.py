"""JSON without parsing a plain media type for an indent; the browsable API page, with DRF's raw JSON form
only: the API parses JSON and nothing else."""
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_rendered_html_form(self, data, view, method, request):
        """No HTML-form tab: it would post form-encoded data, which every view refuses (415)."""
        return None


class JSONRenderer(renderers.JSONRenderer):
    def get_indent(self, accepted_media_type, renderer_context):
        """A plain "application/json" (what the negotiation answers for */*) has no indent parameter to parse."""
        if accepted_media_type == self.media_type:
            return renderer_context.get("indent", None)
        return super().get_indent(accepted_media_type, renderer_context)
