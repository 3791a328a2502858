// Runs in the page's own JavaScript world (MAIN) at document_start in every frame, before any
// page script. It defines exactly the two standard properties and nothing else.
(() => {
  const define = (name, value) => {
    try {
      Object.defineProperty(Navigator.prototype, name, {
        get: { [name]() { return value; } }[name],
        configurable: true,
        enumerable: true,
      });
    } catch {
      // A page cannot stop us at document_start; if a property is locked, leave it alone.
    }
  };
  define('doNotTrack', '1');
  define('globalPrivacyControl', true);
})();
