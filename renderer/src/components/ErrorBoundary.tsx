// Keeps one broken screen from blanking the whole app, and says what happened.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { errorText } from './errorText';
import { Notice } from './Notice';

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('normface: a screen failed', error, info.componentStack);
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <Notice kind="error">
        This page stopped working: {errorText(this.state.error)}{' '}
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </Notice>
    );
  }
}
