<?xml version="1.0" encoding="utf-8"?>
<!-- convert's feed stylesheet: a browser opening an Atom or RSS feed shows a readable page
     (title, what a feed is, the entries with dates and summaries). Override it with a
     template dir (the template-dir option) holding styles/feed.xsl. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="lang">
    <xsl:choose>
      <xsl:when test="atom:feed/@xml:lang"><xsl:value-of select="atom:feed/@xml:lang"/></xsl:when>
      <xsl:when test="rss/channel/language"><xsl:value-of select="rss/channel/language"/></xsl:when>
      <xsl:otherwise>zh-CN</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:feed/atom:title | rss/channel/title"/></title>
        <style>
          body { max-width: 46em; margin: 2em auto; padding: 0 1em; line-height: 1.7; color: #222;
                 font-family: "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC",
                              "Microsoft YaHei", system-ui, sans-serif; }
          .about { background: #f4f6f8; border-radius: 6px; padding: .8em 1em; font-size: .95em; }
          .about code { word-break: break-all; }
          article { border-bottom: 1px solid #e5e5e5; padding: 1em 0; }
          h2 { font-size: 1.15em; margin: 0 0 .3em; }
          time { color: #777; font-size: .9em; }
          a { color: #0b5cad; }
        </style>
      </head>
      <body>
        <xsl:apply-templates select="atom:feed | rss/channel"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:feed">
    <h1><xsl:value-of select="atom:title"/></h1>
    <xsl:call-template name="about">
      <xsl:with-param name="url" select="atom:link[@rel='self']/@href"/>
      <xsl:with-param name="home" select="atom:link[@rel='alternate']/@href"/>
    </xsl:call-template>
    <xsl:for-each select="atom:entry">
      <article>
        <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
        <time datetime="{atom:published}"><xsl:value-of select="translate(substring(atom:published, 1, 16), 'T', ' ')"/></time>
        <p><xsl:value-of select="atom:summary"/></p>
      </article>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="channel">
    <h1><xsl:value-of select="title"/></h1>
    <xsl:call-template name="about">
      <xsl:with-param name="url" select="atom:link[@rel='self']/@href"/>
      <xsl:with-param name="home" select="link"/>
    </xsl:call-template>
    <xsl:for-each select="item">
      <article>
        <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
        <time><xsl:value-of select="pubDate"/></time>
        <p><xsl:value-of select="description"/></p>
      </article>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="about">
    <xsl:param name="url"/>
    <xsl:param name="home"/>
    <p class="about">这是一个订阅源（RSS/Atom）。把地址 <code><xsl:value-of select="$url"/></code>
      复制到阅读器中即可订阅。This is a web feed: copy its address into a feed reader to subscribe.
      <a href="{$home}">访问网站 Visit the site</a></p>
  </xsl:template>
</xsl:stylesheet>
