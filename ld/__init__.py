"""docket's library: read archival records, extract entities, map to CIDOC-CRM + Dublin Core RDF, validate, store.

No web framework here; the server package reads the store through this package.
"""

__version__ = "0.1.0"
