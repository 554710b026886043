// Start: read config.json, then mount the console. A bad config stops here with its reason.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '@/app/App';
import { createAppServices } from '@/app/services';
import { ConfigError, loadConfig } from '@/config/config';
import './styles/global.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);

loadConfig(`${import.meta.env.BASE_URL}config.json`).then(
  (config) => {
    root.render(
      <StrictMode>
        <App services={createAppServices(config)} />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    console.error(error);
    root.render(
      <main className="main main--standalone" id="main">
        <h1>WECARE.DIGITAL cannot start</h1>
        <div className="alert alert--error" role="alert">
          {error instanceof ConfigError ? error.message : 'The console could not load its settings.'}
        </div>
      </main>,
    );
  },
);
