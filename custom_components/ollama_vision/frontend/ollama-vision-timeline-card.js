// Ollama Vision timeline card. Built from frontend/ by scripts/build-card: do not edit.
var F=globalThis,V=F.ShadowRoot&&(F.ShadyCSS===void 0||F.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,le=Symbol(),Ce=new WeakMap,O=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==le)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(V&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=Ce.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&Ce.set(t,e))}return e}toString(){return this.cssText}},Se=i=>new O(typeof i=="string"?i:i+"",void 0,le),E=(i,...e)=>{let t=i.length===1?i[0]:e.reduce((s,r,n)=>s+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(r)+i[n+1],i[0]);return new O(t,i,le)},Te=(i,e)=>{if(V)i.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),r=F.litNonce;r!==void 0&&s.setAttribute("nonce",r),s.textContent=t.cssText,i.appendChild(s)}},de=V?i=>i:i=>i instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return Se(t)})(i):i;var{is:mt,defineProperty:ft,getOwnPropertyDescriptor:gt,getOwnPropertyNames:vt,getOwnPropertySymbols:_t,getPrototypeOf:yt}=Object,W=globalThis,ke=W.trustedTypes,$t=ke?ke.emptyScript:"",bt=W.reactiveElementPolyfillSupport,D=(i,e)=>i,ce={toAttribute(i,e){switch(e){case Boolean:i=i?$t:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,e){let t=i;switch(e){case Boolean:t=i!==null;break;case Number:t=i===null?null:Number(i);break;case Object:case Array:try{t=JSON.parse(i)}catch{t=null}}return t}},Re=(i,e)=>!mt(i,e),Pe={attribute:!0,type:String,converter:ce,reflect:!1,useDefault:!1,hasChanged:Re};Symbol.metadata??=Symbol("metadata"),W.litPropertyMetadata??=new WeakMap;var y=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=Pe){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),r=this.getPropertyDescriptor(e,s,t);r!==void 0&&ft(this.prototype,e,r)}}static getPropertyDescriptor(e,t,s){let{get:r,set:n}=gt(this.prototype,e)??{get(){return this[t]},set(o){this[t]=o}};return{get:r,set(o){let d=r?.call(this);n?.call(this,o),this.requestUpdate(e,d,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??Pe}static _$Ei(){if(this.hasOwnProperty(D("elementProperties")))return;let e=yt(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(D("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(D("properties"))){let t=this.properties,s=[...vt(t),..._t(t)];for(let r of s)this.createProperty(r,t[r])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,r]of t)this.elementProperties.set(s,r)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let r=this._$Eu(t,s);r!==void 0&&this._$Eh.set(r,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let r of s)t.unshift(de(r))}else e!==void 0&&t.push(de(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return Te(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),r=this.constructor._$Eu(e,s);if(r!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:ce).toAttribute(t,s.type);this._$Em=e,n==null?this.removeAttribute(r):this.setAttribute(r,n),this._$Em=null}}_$AK(e,t){let s=this.constructor,r=s._$Eh.get(e);if(r!==void 0&&this._$Em!==r){let n=s.getPropertyOptions(r),o=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:ce;this._$Em=r;let d=o.fromAttribute(t,n.type);this[r]=d??this._$Ej?.get(r)??d,this._$Em=null}}requestUpdate(e,t,s,r=!1,n){if(e!==void 0){let o=this.constructor;if(r===!1&&(n=this[e]),s??=o.getPropertyOptions(e),!((s.hasChanged??Re)(n,t)||s.useDefault&&s.reflect&&n===this._$Ej?.get(e)&&!this.hasAttribute(o._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:r,wrapped:n},o){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,o??t??this[e]),n!==!0||o!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),r===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[r,n]of this._$Ep)this[r]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[r,n]of s){let{wrapped:o}=n,d=this[r];o!==!0||this._$AL.has(r)||d===void 0||this.C(r,void 0,n,d)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};y.elementStyles=[],y.shadowRootOptions={mode:"open"},y[D("elementProperties")]=new Map,y[D("finalized")]=new Map,bt?.({ReactiveElement:y}),(W.reactiveElementVersions??=[]).push("2.1.2");var pe=globalThis,Ne=i=>i,q=pe.trustedTypes,Le=q?q.createPolicy("lit-html",{createHTML:i=>i}):void 0,ue="$lit$",$=`lit$${Math.random().toFixed(9).slice(2)}$`,me="?"+$,At=`<${me}>`,C=document,U=()=>C.createComment(""),B=i=>i===null||typeof i!="object"&&typeof i!="function",fe=Array.isArray,Ue=i=>fe(i)||typeof i?.[Symbol.iterator]=="function",he=`[ 	
\f\r]`,I=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Me=/-->/g,He=/>/g,x=RegExp(`>|${he}(?:([^\\s"'>=/]+)(${he}*=${he}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Oe=/'/g,De=/"/g,Be=/^(?:script|style|textarea|title)$/i,ge=i=>(e,...t)=>({_$litType$:i,strings:e,values:t}),m=ge(1),Ft=ge(2),Vt=ge(3),b=Symbol.for("lit-noChange"),u=Symbol.for("lit-nothing"),Ie=new WeakMap,w=C.createTreeWalker(C,129);function je(i,e){if(!fe(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return Le!==void 0?Le.createHTML(e):e}var ze=(i,e)=>{let t=i.length-1,s=[],r,n=e===2?"<svg>":e===3?"<math>":"",o=I;for(let d=0;d<t;d++){let a=i[d],h,f,l=-1,p=0;for(;p<a.length&&(o.lastIndex=p,f=o.exec(a),f!==null);)p=o.lastIndex,o===I?f[1]==="!--"?o=Me:f[1]!==void 0?o=He:f[2]!==void 0?(Be.test(f[2])&&(r=RegExp("</"+f[2],"g")),o=x):f[3]!==void 0&&(o=x):o===x?f[0]===">"?(o=r??I,l=-1):f[1]===void 0?l=-2:(l=o.lastIndex-f[2].length,h=f[1],o=f[3]===void 0?x:f[3]==='"'?De:Oe):o===De||o===Oe?o=x:o===Me||o===He?o=I:(o=x,r=void 0);let c=o===x&&i[d+1].startsWith("/>")?" ":"";n+=o===I?a+At:l>=0?(s.push(h),a.slice(0,l)+ue+a.slice(l)+$+c):a+$+(l===-2?d:c)}return[je(i,n+(i[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},j=class i{constructor({strings:e,_$litType$:t},s){let r;this.parts=[];let n=0,o=0,d=e.length-1,a=this.parts,[h,f]=ze(e,t);if(this.el=i.createElement(h,s),w.currentNode=this.el.content,t===2||t===3){let l=this.el.content.firstChild;l.replaceWith(...l.childNodes)}for(;(r=w.nextNode())!==null&&a.length<d;){if(r.nodeType===1){if(r.hasAttributes())for(let l of r.getAttributeNames())if(l.endsWith(ue)){let p=f[o++],c=r.getAttribute(l).split($),g=/([.?@])?(.*)/.exec(p);a.push({type:1,index:n,name:g[2],strings:c,ctor:g[1]==="."?Y:g[1]==="?"?Z:g[1]==="@"?G:T}),r.removeAttribute(l)}else l.startsWith($)&&(a.push({type:6,index:n}),r.removeAttribute(l));if(Be.test(r.tagName)){let l=r.textContent.split($),p=l.length-1;if(p>0){r.textContent=q?q.emptyScript:"";for(let c=0;c<p;c++)r.append(l[c],U()),w.nextNode(),a.push({type:2,index:++n});r.append(l[p],U())}}}else if(r.nodeType===8)if(r.data===me)a.push({type:2,index:n});else{let l=-1;for(;(l=r.data.indexOf($,l+1))!==-1;)a.push({type:7,index:n}),l+=$.length-1}n++}}static createElement(e,t){let s=C.createElement("template");return s.innerHTML=e,s}};function S(i,e,t=i,s){if(e===b)return e;let r=s!==void 0?t._$Co?.[s]:t._$Cl,n=B(e)?void 0:e._$litDirective$;return r?.constructor!==n&&(r?._$AO?.(!1),n===void 0?r=void 0:(r=new n(i),r._$AT(i,t,s)),s!==void 0?(t._$Co??=[])[s]=r:t._$Cl=r),r!==void 0&&(e=S(i,r._$AS(i,e.values),r,s)),e}var K=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,r=(e?.creationScope??C).importNode(t,!0);w.currentNode=r;let n=w.nextNode(),o=0,d=0,a=s[0];for(;a!==void 0;){if(o===a.index){let h;a.type===2?h=new P(n,n.nextSibling,this,e):a.type===1?h=new a.ctor(n,a.name,a.strings,this,e):a.type===6&&(h=new J(n,this,e)),this._$AV.push(h),a=s[++d]}o!==a?.index&&(n=w.nextNode(),o++)}return w.currentNode=C,r}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},P=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,r){this.type=2,this._$AH=u,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=S(this,e,t),B(e)?e===u||e==null||e===""?(this._$AH!==u&&this._$AR(),this._$AH=u):e!==this._$AH&&e!==b&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):Ue(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==u&&B(this._$AH)?this._$AA.nextSibling.data=e:this.T(C.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,r=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=j.createElement(je(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===r)this._$AH.p(t);else{let n=new K(r,this),o=n.u(this.options);n.p(t),this.T(o),this._$AH=n}}_$AC(e){let t=Ie.get(e.strings);return t===void 0&&Ie.set(e.strings,t=new j(e)),t}k(e){fe(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,r=0;for(let n of e)r===t.length?t.push(s=new i(this.O(U()),this.O(U()),this,this.options)):s=t[r],s._$AI(n),r++;r<t.length&&(this._$AR(s&&s._$AB.nextSibling,r),t.length=r)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=Ne(e).nextSibling;Ne(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},T=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,r,n){this.type=1,this._$AH=u,this._$AN=void 0,this.element=e,this.name=t,this._$AM=r,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=u}_$AI(e,t=this,s,r){let n=this.strings,o=!1;if(n===void 0)e=S(this,e,t,0),o=!B(e)||e!==this._$AH&&e!==b,o&&(this._$AH=e);else{let d=e,a,h;for(e=n[0],a=0;a<n.length-1;a++)h=S(this,d[s+a],t,a),h===b&&(h=this._$AH[a]),o||=!B(h)||h!==this._$AH[a],h===u?e=u:e!==u&&(e+=(h??"")+n[a+1]),this._$AH[a]=h}o&&!r&&this.j(e)}j(e){e===u?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},Y=class extends T{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===u?void 0:e}},Z=class extends T{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==u)}},G=class extends T{constructor(e,t,s,r,n){super(e,t,s,r,n),this.type=5}_$AI(e,t=this){if((e=S(this,e,t,0)??u)===b)return;let s=this._$AH,r=e===u&&s!==u||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,n=e!==u&&(s===u||r);r&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},J=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){S(this,e)}},Fe={M:ue,P:$,A:me,C:1,L:ze,R:K,D:Ue,V:S,I:P,H:T,N:Z,U:G,B:Y,F:J},Et=pe.litHtmlPolyfillSupport;Et?.(j,P),(pe.litHtmlVersions??=[]).push("3.3.3");var Ve=(i,e,t)=>{let s=t?.renderBefore??e,r=s._$litPart$;if(r===void 0){let n=t?.renderBefore??null;s._$litPart$=r=new P(e.insertBefore(U(),n),n,void 0,t??{})}return r._$AI(i),r};var ve=globalThis,v=class extends y{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Ve(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return b}};v._$litElement$=!0,v.finalized=!0,ve.litElementHydrateSupport?.({LitElement:v});var xt=ve.litElementPolyfillSupport;xt?.({LitElement:v});(ve.litElementVersions??=[]).push("4.2.2");var We={ATTRIBUTE:1,CHILD:2,PROPERTY:3,BOOLEAN_ATTRIBUTE:4,EVENT:5,ELEMENT:6},qe=i=>(...e)=>({_$litDirective$:i,values:e}),X=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,s){this._$Ct=e,this._$AM=t,this._$Ci=s}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}};var{I:wt}=Fe,Ke=i=>i;var Ye=()=>document.createComment(""),R=(i,e,t)=>{let s=i._$AA.parentNode,r=e===void 0?i._$AB:e._$AA;if(t===void 0){let n=s.insertBefore(Ye(),r),o=s.insertBefore(Ye(),r);t=new wt(n,o,i,i.options)}else{let n=t._$AB.nextSibling,o=t._$AM,d=o!==i;if(d){let a;t._$AQ?.(i),t._$AM=i,t._$AP!==void 0&&(a=i._$AU)!==o._$AU&&t._$AP(a)}if(n!==r||d){let a=t._$AA;for(;a!==n;){let h=Ke(a).nextSibling;Ke(s).insertBefore(a,r),a=h}}}return t},A=(i,e,t=i)=>(i._$AI(e,t),i),Ct={},Ze=(i,e=Ct)=>i._$AH=e,Ge=i=>i._$AH,Q=i=>{i._$AR(),i._$AA.remove()};var Je=(i,e,t)=>{let s=new Map;for(let r=e;r<=t;r++)s.set(i[r],r);return s},Xe=qe(class extends X{constructor(i){if(super(i),i.type!==We.CHILD)throw Error("repeat() can only be used in text expressions")}dt(i,e,t){let s;t===void 0?t=e:e!==void 0&&(s=e);let r=[],n=[],o=0;for(let d of i)r[o]=s?s(d,o):o,n[o]=t(d,o),o++;return{values:n,keys:r}}render(i,e,t){return this.dt(i,e,t).values}update(i,[e,t,s]){let r=Ge(i),{values:n,keys:o}=this.dt(e,t,s);if(!Array.isArray(r))return this.ut=o,n;let d=this.ut??=[],a=[],h,f,l=0,p=r.length-1,c=0,g=n.length-1;for(;l<=p&&c<=g;)if(r[l]===null)l++;else if(r[p]===null)p--;else if(d[l]===o[c])a[c]=A(r[l],n[c]),l++,c++;else if(d[p]===o[g])a[g]=A(r[p],n[g]),p--,g--;else if(d[l]===o[g])a[g]=A(r[l],n[g]),R(i,a[g+1],r[l]),l++,g--;else if(d[p]===o[c])a[c]=A(r[p],n[c]),R(i,r[l],r[p]),p--,c++;else if(h===void 0&&(h=Je(o,c,g),f=Je(d,l,p)),h.has(d[l]))if(h.has(d[p])){let _=f.get(o[c]),ae=_!==void 0?r[_]:null;if(ae===null){let we=R(i,r[l]);A(we,n[c]),a[c]=we}else a[c]=A(ae,n[c]),R(i,r[l],ae),r[_]=null;c++}else Q(r[p]),p--;else Q(r[l]),l++;for(;c<=g;){let _=R(i,a[g+1]);A(_,n[c]),a[c++]=_}for(;l<=p;){let _=r[l++];_!==null&&Q(_)}return this.ut=o,Ze(i,a),b}});var ee="ollama_vision/timeline/list",Qe="ollama_vision/timeline/subscribe";var te="ollama-vision-timeline-card",se="ollama-vision-timeline-card-editor",_e=["list","strip","latest"];var k=class extends Error{};function et(i,e){let t=d=>{let a=i[d];if(!(a==null||a==="")){if(typeof a!="string")throw new k(e("invalid_text",{field:d}));return a}},s=i.layout??"list";if(!_e.includes(s))throw new k(e("invalid_layout",{value:String(s)}));let r=i.entries??(s==="latest"?1:10);if(!Number.isInteger(r)||r<1||r>500)throw new k(e("invalid_entries",{value:String(r)}));let n=i.hours??void 0;if(n!==void 0&&!(typeof n=="number"&&n>0))throw new k(e("invalid_hours",{value:String(n)}));let o=i.image_names??[];if(!Array.isArray(o)||o.some(d=>typeof d!="string"))throw new k(e("invalid_image_names"));return{title:t("title"),configEntryId:t("config_entry_id"),imageNames:o.filter(d=>d.trim()!==""),entries:s==="latest"?1:r,hours:n,layout:s}}function ye(i,e){return i.hours===void 0?void 0:new Date(e.getTime()-i.hours*36e5)}function $e(i,e){let t={};i.configEntryId&&(t.config_entry_id=i.configEntryId),i.imageNames.length&&(t.image_names=i.imageNames);let s=ye(i,e);return s&&(t.start=s.toISOString()),t}function tt(i){let e={};for(let[t,s]of Object.entries(i))s==null||s===""||Array.isArray(s)&&s.length===0||(e[t]=s);return e}function St(i,e){let t=Date.parse(e.time)-Date.parse(i.time);return t!==0?t:e.id.localeCompare(i.id,"en",{numeric:!0})}function ie(i,e,t,s){let r=new Map(i.map(o=>[o.id,o]));for(let o of e)r.set(o.id,o);let n=ye(t,s);return[...r.values()].filter(o=>!n||Date.parse(o.time)>=n.getTime()).sort(St).slice(0,t.entries)}function st(i){return[...new Set(i.map(e=>e.image_name))].sort((e,t)=>e.localeCompare(t))}function it(i){let e=i.replace(/_/g," ").trim();return e.charAt(0).toUpperCase()+e.slice(1)}function be(i,e,t){return typeof i=="boolean"?i?e:t:Array.isArray(i)?i.map(s=>be(s,e,t)).join(", "):i==null?"":typeof i=="object"?JSON.stringify(i):String(i)}function z(i){return i.data?i.title:i.description}function Tt(i){return typeof i=="object"&&i!==null&&typeof i.message=="string"}async function rt(i,e){if(!Tt(e))return String(e);let{translation_domain:t,translation_key:s}=e;if(t&&s)try{let n=(await i.loadBackendTranslation("exceptions",t))(`component.${t}.exceptions.${s}.message`,e.translation_placeholders??{});if(n)return n}catch{}return e.message}var kt=[["second",60],["minute",60],["hour",24],["day",7],["week",4.35],["month",12],["year",Number.POSITIVE_INFINITY]];function nt(i,e,t){let s=new Intl.RelativeTimeFormat(t,{numeric:"auto"}),r=(i.getTime()-e.getTime())/1e3;if(Math.abs(r)<10)return s.format(0,"second");for(let[n,o]of kt){if(Math.abs(r)<o)return s.format(Math.round(r),n);r/=o}return s.format(Math.round(r),"year")}function Ae(i){return i.locale?.time_zone==="server"?i.config.time_zone:void 0}function re(i,e,t){return new Intl.DateTimeFormat(e,{dateStyle:"medium",timeStyle:"medium",...t?{timeZone:t}:{}}).format(i)}function ot(i,e){return new Intl.NumberFormat(e,{maximumFractionDigits:1}).format(i)}var Ee={card_name:"Ollama Vision timeline",card_description:"What your cameras saw, analysed by Ollama Vision: each picture, what it shows and when. New analyses appear as they happen.",loading:"Loading the timeline…",empty:"No analyses yet.",empty_hours:"No analyses in the last {hours} h.",error:"The timeline could not be loaded: {message}",no_snapshot:"No picture",close:"Close",description:"Description",data:"Answer",frames:"Pictures sent to the model",frame_source:"Source",frame_time:"Time in the clip",seconds:"{seconds} s",single_picture:"Single picture",yes:"yes",no:"no",setup:"Setup",analysed_at:"Analysed",editor_title:"Title (optional)",editor_config_entry_id:"Setup (empty: all setups)",editor_image_names:"Image names (empty: all)",editor_layout:"Layout",editor_entries:"Number of entries",editor_hours:"Hours back (empty: no limit)",layout_list:"List",layout_strip:"Horizontal strip",layout_latest:"Latest only",invalid_layout:"layout must be list, strip or latest, not {value}",invalid_entries:"entries must be a whole number from 1 to 500, not {value}",invalid_hours:"hours must be a number above 0, not {value}",invalid_image_names:"image_names must be a list of names",invalid_text:"{field} must be text"};var at={card_name:"Ollama Vision-tidslinje",card_description:"Hva kameraene så, analysert av Ollama Vision: hvert bilde, hva det viser og når. Nye analyser dukker opp etter hvert som de skjer.",loading:"Laster inn tidslinjen…",empty:"Ingen analyser ennå.",empty_hours:"Ingen analyser de siste {hours} t.",error:"Tidslinjen kunne ikke lastes inn: {message}",no_snapshot:"Ingen bilde",close:"Lukk",description:"Beskrivelse",data:"Svar",frames:"Bilder sendt til modellen",frame_source:"Kilde",frame_time:"Tid i klippet",seconds:"{seconds} s",single_picture:"Enkeltbilde",yes:"ja",no:"nei",setup:"Oppsett",analysed_at:"Analysert",editor_title:"Tittel (valgfritt)",editor_config_entry_id:"Oppsett (tomt: alle oppsett)",editor_image_names:"Bildenavn (tomt: alle)",editor_layout:"Oppsett av kortet",editor_entries:"Antall oppføringer",editor_hours:"Timer tilbake (tomt: ingen grense)",layout_list:"Liste",layout_strip:"Vannrett stripe",layout_latest:"Bare den nyeste",invalid_layout:"layout må være list, strip eller latest, ikke {value}",invalid_entries:"entries må være et heltall fra 1 til 500, ikke {value}",invalid_hours:"hours må være et tall over 0, ikke {value}",invalid_image_names:"image_names må være en liste med navn",invalid_text:"{field} må være tekst"};var lt={card_name:"Linha do tempo do Ollama Vision",card_description:"O que as suas câmaras viram, analisado pelo Ollama Vision: cada imagem, o que mostra e quando. As novas análises aparecem à medida que acontecem.",loading:"A carregar a linha do tempo…",empty:"Ainda não há análises.",empty_hours:"Nenhuma análise nas últimas {hours} h.",error:"Não foi possível carregar a linha do tempo: {message}",no_snapshot:"Sem imagem",close:"Fechar",description:"Descrição",data:"Resposta",frames:"Imagens enviadas ao modelo",frame_source:"Origem",frame_time:"Tempo no clip",seconds:"{seconds} s",single_picture:"Imagem única",yes:"sim",no:"não",setup:"Configuração",analysed_at:"Analisado",editor_title:"Título (opcional)",editor_config_entry_id:"Configuração (vazio: todas)",editor_image_names:"Nomes de imagem (vazio: todos)",editor_layout:"Disposição",editor_entries:"Número de entradas",editor_hours:"Horas para trás (vazio: sem limite)",layout_list:"Lista",layout_strip:"Faixa horizontal",layout_latest:"Só a mais recente",invalid_layout:"layout tem de ser list, strip ou latest, não {value}",invalid_entries:"entries tem de ser um número inteiro de 1 a 500, não {value}",invalid_hours:"hours tem de ser um número acima de 0, não {value}",invalid_image_names:"image_names tem de ser uma lista de nomes",invalid_text:"{field} tem de ser texto"};var Lt={en:Ee,nb:at,pt:lt};function ne(i){return i?.locale?.language??i?.language??"en"}function Mt(i){let e=i.toLowerCase().split(/[-_]/)[0];return Lt[e==="no"?"nb":e]??Ee}function N(i){let e=Mt(i);return(t,s={})=>e[t].replace(/\{(\w+)\}/g,(r,n)=>n in s?String(s[n]):r)}var oe=E`
  :host {
    --ov-gap: 12px;
    --ov-radius: var(--ha-card-border-radius, 12px);
    --ov-thumb-radius: 8px;
    --ov-muted: var(--secondary-text-color, #727272);
    --ov-text: var(--primary-text-color, #212121);
    --ov-surface: var(--secondary-background-color, #e5e5e5);
    --ov-focus: var(--primary-color, #03a9f4);
  }
  .name {
    font-weight: 500;
    color: var(--ov-text);
  }
  time,
  .setup {
    color: var(--ov-muted);
    font-size: 0.875em;
  }
  .no-snapshot {
    display: flex;
    align-items: center;
    justify-content: center;
    background: var(--ov-surface);
    color: var(--ov-muted);
    font-size: 0.75em;
    text-align: center;
  }
  img {
    display: block;
    object-fit: cover;
    background: var(--ov-surface);
  }
`,dt=E`
  ha-card {
    overflow: hidden;
    height: 100%;
  }
  .content {
    padding: 0 var(--ov-gap) var(--ov-gap);
  }
  .content.no-header {
    padding-top: var(--ov-gap);
  }
  .message {
    padding: var(--ov-gap) 0;
    color: var(--ov-muted);
  }
  .message.error {
    color: var(--error-color, #db4437);
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  button.entry {
    all: unset;
    box-sizing: border-box;
    cursor: pointer;
    display: flex;
    gap: var(--ov-gap);
    width: 100%;
    padding: 8px;
    border-radius: var(--ov-thumb-radius);
    color: var(--ov-text);
  }
  button.entry:hover {
    background: var(--ov-surface);
  }
  button.entry:focus-visible {
    outline: 2px solid var(--ov-focus);
    outline-offset: 1px;
  }
  .text {
    display: flex;
    flex-direction: column;
    gap: 2px;
    min-width: 0;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    gap: 0 8px;
    align-items: baseline;
  }
  .title {
    overflow: hidden;
    display: -webkit-box;
    -webkit-line-clamp: 3;
    -webkit-box-orient: vertical;
    line-height: 1.35;
  }

  /* List: a thumbnail beside its text. */
  .list li + li {
    border-top: 1px solid var(--divider-color, rgba(0, 0, 0, 0.12));
  }
  .list .thumb {
    flex: 0 0 auto;
    width: 96px;
    height: 72px;
    border-radius: var(--ov-thumb-radius);
  }

  /* Strip: pictures side by side, scrolled sideways. */
  .strip ul {
    display: flex;
    gap: var(--ov-gap);
    overflow-x: auto;
    scroll-snap-type: x mandatory;
    padding-bottom: 4px;
  }
  .strip li {
    flex: 0 0 auto;
    width: min(200px, 70%);
    scroll-snap-align: start;
  }
  .strip button.entry,
  .latest button.entry {
    flex-direction: column;
    padding: 0 0 8px;
  }
  .strip .thumb {
    width: 100%;
    aspect-ratio: 4 / 3;
    border-radius: var(--ov-thumb-radius);
  }
  .strip .title {
    -webkit-line-clamp: 2;
  }

  /* Latest: one picture, as large as the card. */
  .latest .thumb {
    width: 100%;
    aspect-ratio: 16 / 9;
    border-radius: var(--ov-thumb-radius);
  }
  .latest .text {
    padding: 0 4px;
  }
`,ct=E`
  dialog {
    box-sizing: border-box;
    width: min(720px, calc(100vw - 24px));
    max-height: calc(100vh - 24px);
    padding: 0;
    border: none;
    border-radius: var(--ov-radius);
    background: var(--card-background-color, var(--ha-card-background, #fff));
    color: var(--ov-text);
    box-shadow: 0 8px 32px rgba(0, 0, 0, 0.3);
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.6);
  }
  header {
    display: flex;
    align-items: flex-start;
    gap: var(--ov-gap);
    padding: 16px 16px 8px;
  }
  header .heading {
    flex: 1;
    min-width: 0;
  }
  h2 {
    margin: 0;
    font-size: 1.25em;
    font-weight: 500;
    overflow-wrap: anywhere;
  }
  .close {
    all: unset;
    cursor: pointer;
    flex: 0 0 auto;
    width: 40px;
    height: 40px;
    border-radius: 50%;
    display: flex;
    align-items: center;
    justify-content: center;
    font-size: 24px;
    color: var(--ov-muted);
  }
  .close:hover {
    background: var(--ov-surface);
  }
  .close:focus-visible {
    outline: 2px solid var(--ov-focus);
  }
  .body {
    padding: 0 16px 16px;
  }
  .setup time {
    font-size: inherit;
  }
  .picture {
    width: 100%;
    height: auto;
    max-height: 50vh;
    object-fit: contain;
    border-radius: var(--ov-thumb-radius);
  }
  .picture.no-snapshot {
    aspect-ratio: 16 / 9;
    border-radius: var(--ov-thumb-radius);
  }
  h3 {
    margin: 16px 0 6px;
    font-size: 1em;
    font-weight: 500;
    color: var(--ov-muted);
  }
  p.description {
    margin: 0;
    white-space: pre-wrap;
    line-height: 1.45;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    vertical-align: top;
    padding: 6px 8px 6px 0;
    border-bottom: 1px solid var(--divider-color, rgba(0, 0, 0, 0.12));
    overflow-wrap: anywhere;
  }
  th {
    font-weight: 500;
    width: 40%;
  }
  thead th {
    color: var(--ov-muted);
  }
`;var Ht=3e4,Ot=12*36e5,L=class extends v{constructor(){super(...arguments);this._entries=[];this._status="loading";this._error="";this._now=new Date;this.session=0;this.timers=[];this.reconnected=()=>{this.list(this.session)}}static getConfigElement(){return document.createElement(se)}static getStubConfig(){return{entries:5,layout:"list"}}setConfig(t){this._config=et(t,this.t),this.started&&this.restart()}getCardSize(){return this._config?this._config.layout==="latest"?6:this._config.layout==="strip"?4:1+Math.min(this._config.entries,6)*2:3}getGridOptions(){return{columns:12,min_columns:4,min_rows:2}}get language(){return ne(this.hass)}get t(){return N(this.language)}connectedCallback(){super.connectedCallback(),this.timers=[setInterval(()=>this.tick(),Ht),setInterval(()=>{this.list(this.session)},Ot)],this.hass&&this._config&&this.restart()}disconnectedCallback(){super.disconnectedCallback(),this.timers.forEach(clearInterval),this.timers=[],this.stop()}updated(t){t.has("hass")&&this.hass&&this._config&&this.isConnected&&this.hass.connection!==this.started&&this.restart()}stop(){this.session+=1,this.started?.removeEventListener("ready",this.reconnected),this.started=void 0;let t=this.unsubscribe;this.unsubscribe=void 0,t?.then(s=>s?.()).catch(()=>{})}restart(){this.stop();let t=this.hass,s=this._config;if(!t||!s)return;let r=this.session;this.started=t.connection,this._entries=[],this._status="loading",this.arrivedWhileListing=[],t.connection.addEventListener("ready",this.reconnected);let n=t.connection.subscribeMessage(o=>this.arrived(r,o.entry),{type:Qe,...$e(s,new Date)});this.unsubscribe=n.catch(()=>{}),n.then(()=>this.list(r),o=>this.fail(r,o))}arrived(t,s){t!==this.session||!this._config||(this.arrivedWhileListing?.push(s),this._now=new Date,this._entries=ie(this._entries,[s],this._config,this._now))}async list(t){let s=this.hass,r=this._config;if(!(!s||!r||t!==this.session||!this.started)){this.arrivedWhileListing??=[];try{let n=await s.connection.sendMessagePromise({type:ee,...$e(r,new Date),limit:r.entries});if(t!==this.session)return;this._now=new Date,this._entries=ie(n.entries,this.arrivedWhileListing??[],r,this._now),this.arrivedWhileListing=void 0,this._status="ready"}catch(n){await this.fail(t,n)}}}async fail(t,s){if(t!==this.session||!this.hass)return;let r=await rt(this.hass,s);t===this.session&&(this._error=r,this._status="error")}tick(){this._config&&(this._now=new Date,this._entries=ie(this._entries,[],this._config,this._now))}open(t,s){this.opener=s.currentTarget,this._selected=t}closed(){this._selected=void 0,this.opener?.focus()}render(){let t=this._config;if(!t)return u;let s=this.t;return m`
      <ha-card .header=${t.title}>
        <div class="content ${t.layout} ${t.title?"":"no-header"}">
          ${this.renderBody(t,s)}
        </div>
      </ha-card>
      <ollama-vision-entry-dialog
        .entry=${this._selected}
        .t=${s}
        .language=${this.language}
        .timeZone=${this.hass?Ae(this.hass):void 0}
        @closed=${this.closed}
      ></ollama-vision-entry-dialog>
    `}renderBody(t,s){return this._status==="error"?m`<div class="message error" role="alert">
        ${s("error",{message:this._error})}
      </div>`:this._status==="loading"&&this._entries.length===0?m`<div class="message" role="status">${s("loading")}</div>`:this._entries.length===0?m`<div class="message" role="status">
        ${t.hours===void 0?s("empty"):s("empty_hours",{hours:t.hours})}
      </div>`:m`
      <ul aria-live="polite">
        ${Xe(this._entries,r=>r.id,r=>m`<li>${this.renderEntry(r,s)}</li>`)}
      </ul>
    `}renderEntry(t,s){let r=new Date(t.time),n=this.hass?Ae(this.hass):void 0;return m`
      <button
        class="entry"
        aria-haspopup="dialog"
        @click=${o=>this.open(t,o)}
      >
        ${t.snapshot_url?m`<img class="thumb" src=${t.snapshot_url} alt=${z(t)} />`:m`<span class="thumb no-snapshot" role="img" aria-label=${z(t)}
              >${s("no_snapshot")}</span
            >`}
        <span class="text">
          <span class="meta">
            <span class="name">${t.image_name}</span>
            <time datetime=${t.time} title=${re(r,this.language,n)}
              >${nt(r,this._now,this.language)}</time
            >
          </span>
          <span class="title">${t.title}</span>
        </span>
      </button>
    `}};L.properties={hass:{attribute:!1},_config:{state:!0},_entries:{state:!0},_status:{state:!0},_error:{state:!0},_selected:{state:!0},_now:{state:!0}},L.styles=[oe,dt];var ht="ollama-vision-entry-dialog",M=class extends v{constructor(){super(...arguments);this.language="en"}get dialog(){return this.renderRoot.querySelector("dialog")}updated(t){t.has("entry")&&this.entry&&!this.dialog?.open&&(this.dialog?.showModal(),this.renderRoot.querySelector(".close")?.focus())}close(){this.dialog?.close()}closed(){this.dispatchEvent(new CustomEvent("closed",{bubbles:!0,composed:!0}))}clickedOutside(t){t.target===this.dialog&&this.close()}render(){let{entry:t,t:s}=this;if(!t||!s)return m`<dialog @close=${this.closed}></dialog>`;let r=new Date(t.time);return m`
      <dialog
        aria-labelledby="heading"
        @close=${this.closed}
        @click=${this.clickedOutside}
      >
        <header>
          <div class="heading">
            <h2 id="heading">${t.image_name}</h2>
            <div class="setup">
              ${s("analysed_at")}:
              <time datetime=${t.time}
                >${re(r,this.language,this.timeZone)}</time
              >
            </div>
            <div class="setup">${s("setup")}: ${t.setup}</div>
          </div>
          <button class="close" aria-label=${s("close")} @click=${this.close}>
            ✕
          </button>
        </header>
        <div class="body">
          ${t.snapshot_url?m`<img class="picture" src=${t.snapshot_url} alt=${z(t)} />`:m`<div class="picture no-snapshot">${s("no_snapshot")}</div>`}
          ${this.renderData(t,s)??this.renderDescription(t,s)}
          ${this.renderFrames(t,s)}
        </div>
      </dialog>
    `}renderDescription(t,s){return m`
      <h3>${s("description")}</h3>
      <p class="description">${t.description}</p>
    `}renderData(t,s){if(!(!t.data||Object.keys(t.data).length===0))return m`
      <h3>${s("data")}</h3>
      <table class="data">
        <tbody>
          ${Object.entries(t.data).map(([r,n])=>m`
              <tr>
                <th scope="row">${it(r)}</th>
                <td>${be(n,s("yes"),s("no"))}</td>
              </tr>
            `)}
        </tbody>
      </table>
    `}renderFrames(t,s){return t.frames.length>1||t.frames.some(n=>n.time!==null)?m`
      <h3>${s("frames")}</h3>
      <table class="frames">
        <thead>
          <tr>
            <th scope="col">${s("frame_time")}</th>
            <th scope="col">${s("frame_source")}</th>
          </tr>
        </thead>
        <tbody>
          ${t.frames.map(n=>m`
              <tr>
                <td>
                  ${n.time===null?s("single_picture"):s("seconds",{seconds:ot(n.time,this.language)})}
                </td>
                <td>${n.source}</td>
              </tr>
            `)}
        </tbody>
      </table>
    `:u}};M.properties={entry:{attribute:!1},t:{attribute:!1},language:{attribute:!1},timeZone:{attribute:!1}},M.styles=[oe,ct];async function It(){if(customElements.get("ha-form")||!window.loadCardHelpers)return;await(await window.loadCardHelpers()).createCardElement({type:"entities",entities:[]}).constructor.getConfigElement?.()}var H=class extends v{constructor(){super(...arguments);this._imageNames=[];this._formReady=!!customElements.get("ha-form");this.askedForNames=!1}setConfig(t){this._config=t}connectedCallback(){super.connectedCallback(),It().then(()=>{this._formReady=!!customElements.get("ha-form")})}updated(){this.hass&&!this.askedForNames&&(this.askedForNames=!0,this.loadImageNames(this.hass))}async loadImageNames(t){try{let s=await t.connection.sendMessagePromise({type:ee,limit:500});this._imageNames=st(s.entries)}catch{}}schema(t){let s=new Set([...this._imageNames,...this._config?.image_names??[]]);return[{name:"title",selector:{text:{}}},{name:"config_entry_id",selector:{config_entry:{integration:"ollama_vision"}}},{name:"image_names",selector:{select:{multiple:!0,custom_value:!0,options:[...s].map(r=>({value:r,label:r}))}}},{name:"layout",selector:{select:{mode:"dropdown",options:_e.map(r=>({value:r,label:t(`layout_${r}`)}))}}},{name:"entries",selector:{number:{min:1,max:500,mode:"box"}}},{name:"hours",selector:{number:{min:1,mode:"box",unit_of_measurement:"h"}}}]}changed(t){t.stopPropagation();let s=tt({...t.detail.value,type:this._config?.type??""});this._config=s,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:s},bubbles:!0,composed:!0}))}render(){if(!this.hass||!this._config||!this._formReady)return u;let t=N(ne(this.hass)),s={layout:"list",entries:10,...this._config};return m`
      <ha-form
        .hass=${this.hass}
        .data=${s}
        .schema=${this.schema(t)}
        .computeLabel=${r=>t(`editor_${r.name}`)}
        @value-changed=${this.changed}
      ></ha-form>
    `}};H.properties={hass:{attribute:!1},_config:{state:!0},_imageNames:{state:!0},_formReady:{state:!0}},H.styles=E`
    :host {
      display: block;
    }
  `;function xe(i,e){customElements.get(i)||customElements.define(i,e)}function ut(){xe(ht,M),xe(se,H),xe(te,L);let i=N(document.documentElement.lang||navigator.language||"en");window.customCards??=[],window.customCards.some(e=>e.type===te)||window.customCards.push({type:te,name:i("card_name"),description:i("card_description"),preview:!0,documentationURL:"https://github.com/ollama-vision/ollama_vision#the-timeline-card"})}customElements.get("home-assistant")||!document.querySelector("home-assistant")?ut():customElements.whenDefined("home-assistant").then(ut);
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
lit-html/directive.js:
lit-html/directives/repeat.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/directive-helpers.js:
  (**
   * @license
   * Copyright 2020 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
