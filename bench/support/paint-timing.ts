// In-page timing for the dashboard bench: a page is "painted" when no API request is in flight
// (bodies read), no panel shows its loading state, and a frame has been drawn after that; held for
// two frames in a row, so a request an effect starts after the first answer is waited for too.
// Times are performance.now(), whose origin is navigation start. Plain JavaScript in a string:
// functions handed to the page are sent as their source, and the TypeScript loader's helpers would
// not exist there.

export const INSTRUMENT = `(() => {
  const net = { inflight: 0, started: 0 };
  window.__net = net;
  const orig = window.fetch.bind(window);
  window.fetch = (...args) => {
    net.started++;
    net.inflight++;
    const p = orig(...args);
    // Counted until the body has arrived, not just the headers.
    p.then((r) => r.clone().arrayBuffer()).catch(() => undefined).finally(() => net.inflight--);
    return p;
  };
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()))));
  const quiet = (since) =>
    net.started > since && net.inflight === 0 &&
    !document.querySelector('.loading, [aria-busy=true]') && !!document.querySelector('h1');
  // performance.now() of the first of two quiet frames after more than since requests.
  window.__settled = async (since) => {
    for (;;) {
      if (quiet(since)) {
        const t = await frame();
        if (quiet(since)) {
          await frame();
          if (quiet(since)) return t;
        }
      } else await frame();
    }
  };
  // Performs an input and resolves with the milliseconds from it to the paint.
  window.__act = (a) => {
    const since = net.started;
    const t0 = performance.now();
    if (a.kind === 'radio')
      document.querySelector('input[type=radio][name="' + a.name + '"][value="' + a.value + '"]').click();
    else if (a.kind === 'select') {
      const s = document.querySelector('select[aria-label="' + a.label + '"]');
      s.selectedIndex = a.index;
      s.dispatchEvent(new Event('change', { bubbles: true }));
    } else {
      const scope = a.kind === 'sort' ? '[data-testid=ranking] thead button' : 'button';
      const b = [...document.querySelectorAll(scope)].find((x) => x.textContent.trim().startsWith(a.text));
      // A disabled button would wait for the overview's minute refresh: a bench too small for the step.
      if (!b || b.disabled) throw new Error('no enabled button ' + a.text);
      b.click();
    }
    return window.__settled(since).then((t) => t - t0);
  };
})();`;

export type Action =
  | { kind: 'radio'; name: string; value: string }
  | { kind: 'select'; label: string; index: number }
  | { kind: 'sort' | 'button'; text: string };
