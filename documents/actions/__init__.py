"""Every write of documents, one module per concern: `uploads` (upload and delete), `attachments`
(the documents a message carries), `reading` and `finishing` (what extraction stores, from the
tasks). Each is a plain function called after access was checked, in the tenant's schema."""
