import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';

// jsdom knows <dialog> but not its modal methods: open and close it as an attribute.
function hasModalDialogs(): boolean {
  try {
    document.createElement('dialog').showModal();
    return true;
  } catch {
    return false;
  }
}

if (typeof HTMLDialogElement !== 'undefined' && !hasModalDialogs()) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
  };
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});
