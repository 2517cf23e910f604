/** HTML pages answered to AltaPay callbacks, which the gateway shows to the customer. */
export {
  type CallbackPageKind,
  type CallbackPageModel,
  renderCallbackPage,
  renderNoticePage,
} from './callback-page';
export { escapeHtml } from './escape';
