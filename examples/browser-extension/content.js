// Sends the page's links to the service in one batch lookup (up to 100 per request) and marks
// each link that a fact-check concerns with the verdict. Text is set with textContent only.
(async () => {
  const WORDS = {
    false: "False", mostly_false: "Mostly false", misleading: "Misleading", mixed: "Mixed",
    mostly_true: "Mostly true", true: "True", unproven: "Unproven", satire: "Satire", other: "Fact-checked",
  };
  const links = new Map();
  for (const a of document.querySelectorAll("a[href]")) {
    if (!/^https?:/.test(a.href)) continue;
    if (!links.has(a.href)) links.set(a.href, []);
    links.get(a.href).push(a);
  }
  const urls = [...links.keys()];
  for (let start = 0; start < urls.length; start += 100) {
    const batch = urls.slice(start, start + 100);
    let answer;
    try {
      const response = await fetch(`${CLAIMREVIEW_API}/v1/lookup`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ urls: batch }),
      });
      if (!response.ok) continue;
      answer = await response.json();
    } catch (error) {
      continue; // the service is unreachable: leave the page as it is
    }
    for (const [url, matches] of Object.entries(answer.matches)) {
      if (!matches.length) continue;
      const first = matches[0];
      for (const a of links.get(url) || []) {
        const mark = document.createElement("a");
        mark.className = "claimreview-mark";
        mark.dataset.verdict = first.verdict;
        mark.href = first.url;
        mark.target = "_blank";
        mark.rel = "noopener noreferrer";
        mark.title = `${first.label} (${first.publisher_id})`;
        mark.textContent = WORDS[first.verdict] || WORDS.other;
        a.dataset.claimreviewVerdict = first.verdict;
        a.after(mark);
      }
    }
  }
})();
