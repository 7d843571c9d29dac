export { listen } from './listen.js'
export { watchInput } from './watchInput.js'
export { watchMedia } from './watchMedia.js'
export { pageHasFocus, pageIsVisible, watchPage } from './watchPage.js'
