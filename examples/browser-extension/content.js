// Marks each link that a fact-check concerns with its verdict. The page's links are sent to
// the service in batch lookups (POST /v1/lookup, at most 100 URLs a request); links the page
// adds later (infinite scroll, single-page apps) are collected by a MutationObserver and sent
// together once the page has been quiet for DEBOUNCE_MS, so a feed that renders fifty posts at
// a time costs one request, not fifty. Each address is looked up once per page; a link to an
// address already answered is marked at once. Text is set with textContent only.
(() => {
  const WORDS = {
    false: "False", mostly_false: "Mostly false", misleading: "Misleading", mixed: "Mixed",
    mostly_true: "Mostly true", true: "True", unproven: "Unproven", satire: "Satire", other: "Fact-checked",
  };
  const BATCH = 100; // the service's limit for one POST /v1/lookup
  const DEBOUNCE_MS = 300;

  const handled = new WeakSet(); // links already collected
  const waiting = new Map(); // URL -> links waiting for its answer
  const answers = new Map(); // URL -> its first match, or null: answered
  let queued = new Set(); // URLs not yet sent
  let timer = null;

  function mark(a, match) {
    if (!match || a.dataset.claimreviewVerdict) return;
    const mark = document.createElement("a");
    mark.className = "claimreview-mark";
    mark.dataset.verdict = match.verdict;
    mark.href = match.url;
    mark.target = "_blank";
    mark.rel = "noopener noreferrer";
    mark.title = `${match.label} (${match.publisher_id})`;
    mark.textContent = WORDS[match.verdict] || WORDS.other;
    a.dataset.claimreviewVerdict = match.verdict;
    a.after(mark);
  }

  function collect(root) {
    const links = root.matches("a[href]") ? [root] : [];
    links.push(...root.querySelectorAll("a[href]"));
    for (const a of links) {
      if (handled.has(a) || a.classList.contains("claimreview-mark")) continue;
      handled.add(a);
      const url = a.href;
      if (!/^https?:/.test(url)) continue;
      if (answers.has(url)) {
        mark(a, answers.get(url));
        continue;
      }
      if (!waiting.has(url)) {
        waiting.set(url, []);
        queued.add(url);
      }
      waiting.get(url).push(a);
    }
  }

  async function lookup(urls) {
    let answer;
    try {
      const response = await fetch(`${CLAIMREVIEW_API}/v1/lookup`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ urls }),
      });
      if (!response.ok) throw new Error(`lookup answered ${response.status}`);
      answer = await response.json();
    } catch (error) {
      // The service is unreachable or refused: leave these links as they are, and let a
      // later link to the same address try again.
      for (const url of urls) waiting.delete(url);
      return;
    }
    for (const url of urls) {
      const matches = answer.matches[url] || [];
      answers.set(url, matches[0] || null);
      for (const a of waiting.get(url) || []) mark(a, matches[0]);
      waiting.delete(url);
    }
  }

  function flush() {
    clearTimeout(timer);
    timer = null;
    const urls = [...queued];
    queued = new Set();
    for (let start = 0; start < urls.length; start += BATCH) {
      lookup(urls.slice(start, start + BATCH));
    }
  }

  function schedule() {
    if (queued.size >= BATCH) {
      flush(); // a full batch need not wait for the page to settle
    } else if (queued.size > 0) {
      clearTimeout(timer);
      timer = setTimeout(flush, DEBOUNCE_MS);
    }
  }

  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) collect(node);
      }
    }
    schedule();
  }).observe(document.documentElement, { childList: true, subtree: true });

  collect(document.documentElement);
  flush(); // the links present at load go at once
})();
