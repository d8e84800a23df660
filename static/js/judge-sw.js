/* The judge's tablet survives a reload while offline: the page and its assets are cached on
 * every successful load (network first for the page, cache first for the assets). Marks that
 * wait for the network stay in the tablet's localStorage queue (judge.js), never here. */
"use strict";
var CACHE = "contest-judge-v1";
var ASSETS = ["/static/css/app.css", "/static/css/live.css", "/static/vendor/socket.io/socket.io.min.js",
  "/static/js/judge.js"];

self.addEventListener("install", function (event) {
  // The page itself too (with the judge's session cookie): a reload while offline finds it.
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS.concat(["/judge"])); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/socket.io/") === 0) { return; }
  if (url.pathname === "/judge") {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put("/judge", copy); });
      }
      return response;
    }).catch(function () {
      return caches.match("/judge");
    }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});
