// Swagger UI on gatehouse's own document; nothing is loaded from any other host.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  withCredentials: true,
  tryItOutEnabled: true,
});
