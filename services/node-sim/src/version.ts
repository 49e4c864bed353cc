/** Version of the engine and model, printed in every report: a change that moves any result bumps it. */
export const ENGINE_VERSION = '0.2.0';
