// The campaign entry page, offline: a service worker for /verification/campaigns/ that keeps the
// last copy of each entry page and of the static files it uses, and serves them when the network
// does not answer (a tablet whose browser dropped the tab in a market without a connection).
// Network first: online, the page and the files always come from the server. The rows typed are
// kept by the page itself (localStorage), never here.
"use strict";
const CACHE = "lims-campaign-{{ version }}";
const STATIC = "{{ static_prefix }}";
const ENTRY = /\/verification\/campaigns\/\d+\/entry\/$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) =>
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("lims-campaign-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  )
);
// The page that registered the worker asks for itself and its files to be kept at once: it was
// loaded before the worker was there to see it.
self.addEventListener("message", (event) => {
  const keep = (event.data && event.data.keep) || [];
  const allowed = keep.filter(function (address) {
    const url = new URL(address, self.location.origin);
    return url.origin === self.location.origin && (ENTRY.test(url.pathname) || url.pathname.startsWith(STATIC));
  });
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(allowed)).catch(() => null));
});
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (!ENTRY.test(url.pathname) && !url.pathname.startsWith(STATIC)) return;
  event.respondWith(
    fetch(request)
      .then(function (response) {
        if (response.ok && response.type === "basic") {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreVary: true }).then((hit) => hit || Response.error()))
  );
});
