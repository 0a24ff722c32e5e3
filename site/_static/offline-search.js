/* Search snippets on a site opened from disk (file://).

   To show a snippet under each result, Sphinx's search fetch()es the result's page, and a
   browser refuses fetch() on file:// (one console error per result, and no snippet). So
   tools/build_site.py writes each page's text into search-pages.js, and this answers those
   requests from it. Served over http(s), fetch() is left alone. Loaded on search.html only
   (site/conf.py). */
(function () {
  "use strict";
  if (window.location.protocol !== "file:") return;
  const realFetch = window.fetch.bind(window);
  window.fetch = function (resource, options) {
    const pages = window.COURSE_SEARCH_PAGES || {};
    const root = new URL(document.documentElement.dataset.content_root || "./", document.baseURI);
    const url = new URL(typeof resource === "string" ? resource : resource.url, document.baseURI);
    const page = url.href.startsWith(root.href) ? decodeURI(url.href.slice(root.href.length)) : "";
    if (Object.prototype.hasOwnProperty.call(pages, page)) {
      const headers = { "Content-Type": "text/html; charset=utf-8" };
      return Promise.resolve(new Response(pages[page], { headers: headers }));
    }
    return realFetch(resource, options);
  };
})();
