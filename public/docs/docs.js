/* global SwaggerUIBundle, SwaggerUIStandalonePreset -- from swagger-ui-dist's scripts, loaded before this one */
// Renders the service's own description; a file of its own, since the page allows no inline script.
window.ui = SwaggerUIBundle({
  url: new URL('../openapi.json', window.location.href).toString(),
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
