// CloudFront Function (cloudfront-js-2.0), viewer request of the console's default behaviour.
// The SPA routes in the browser (/contacts/123); S3 has no such object, so any path whose last
// segment has no file extension is served index.html. This runs only on the S3 behaviour:
// /api/* goes to the API untouched, so the API's own 403/404 answers are never rewritten (which a
// distribution-wide custom error response would do).
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
