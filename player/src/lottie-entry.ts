// The Lottie runtime, built as its own ES module and imported only when a template uses Lottie.
export {DotLottie} from '@lottiefiles/dotlottie-web'
