// Starts Swagger UI on /docs; the page names the OpenAPI document's URL (kept out of inline
// script so that the page's Content-Security-Policy can forbid inline scripts).
(() => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null, // the default badge asks a server on the internet
  });
})();
